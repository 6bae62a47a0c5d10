# Dates as the site's own pages write them (2026-11-25 14:03): short enough for a list's column,
# and the same in the admin's generic pages as in ours. Django's default is 2026年11月25日 14:03.
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
