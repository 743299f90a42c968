"""Debian's chromium, headless, driven by selenium through chromium-driver: the browser
the dashboard's tests (test_web.py, and the demo farm's labtests/demo_farm.py) load
its pages in."""

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def chromium() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    return driver
