"""The floor bench/web.py compares the site's pages with: Django answering one view, no app, no
middleware, no database, no template."""

SECRET_KEY = "bench-bare-view"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = []
MIDDLEWARE = []
ROOT_URLCONF = "_bare_urls"
DATABASES = {}
USE_TZ = True
