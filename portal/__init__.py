"""The site's URL map and the enterprise's pages that join several apps: the topmost room,
imported by nothing. Its views render templates of the apps they show (applications/…).
"""
