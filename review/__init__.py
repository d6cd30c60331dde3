"""The analysts' review web app and REST API (FastAPI, server-rendered Jinja2 pages).

It reads and writes the store only through query functions in ``models/``; the HTML
pages and the API under ``/api/v1`` call the same functions.
"""
