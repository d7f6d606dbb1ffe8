"""The school administrator's screens: people, classes and the day's timetable changes.

The admin reaches them from anywhere with `A` (the app's key, also in the
command palette). Every read and write goes through the session to the
server's /admin routes; none is kept in the offline cache, since people's
logins and the one-time passwords do not belong on a shared computer's disk.
"""
