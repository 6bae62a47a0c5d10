"""The password policy (GB/T 22239-2019 第三级, 身份鉴别): officials' passwords of at least 12
characters of three kinds, changed every 90 days; no one reuses one of their last five; a
password someone else set is changed at the first sign-in.

``history``: the model keeping each account's recent password hashes and whether the password was
set by someone else, recorded whenever a password is saved. ``validators``: the rules, as Django
password validators (``AUTH_PASSWORD_VALIDATORS``). ``enforcement``: what a sign-in learns of its
password (kept in the session) and the middleware that sends whoever must change it to the
password change page first.
"""
