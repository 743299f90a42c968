"""The live dashboard (`farm web`): the results database as web pages."""
