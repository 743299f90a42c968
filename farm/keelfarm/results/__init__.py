"""The results side of the farm: campaigns, bisection, CI verdicts, triage, schedules,
the results database with its migrations, statistics, reports and the dashboard.

It sees boards only through labgrid environment files, pytest runs and plain data the
CLI hands over (places as PlaceSpec, boards as dicts): nothing here holds a labgrid
object, so it is tested without a lab.
"""
