"""The HTML a BioTime server answers where a client expects JSON: the web UI's login page (its
catch-all serves it for unknown paths, with 200) and Django's production 404 page."""

from __future__ import annotations

from werkzeug.wrappers import Response

WEB_UI = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ZKBioTime</title>
  <link rel="stylesheet" href="/files/static/css/login.css">
</head>
<body class="login">
  <div id="app"><form method="post" action="/login/">
    <input type="hidden" name="csrfmiddlewaretoken" value="q3Jx0sim">
    <input name="username" placeholder="Username"><input name="password" type="password">
    <button type="submit">Log In</button>
  </form></div>
  <script src="/files/static/js/app.js"></script>
</body>
</html>
"""

DJANGO_404 = """<!doctype html>
<html lang="en">
<head>
  <title>Not Found</title>
</head>
<body>
  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>
</body>
</html>
"""


def web_ui() -> Response:
    return Response(WEB_UI, status=200, mimetype="text/html")


def django_not_found() -> Response:
    return Response(DJANGO_404, status=404, mimetype="text/html")
