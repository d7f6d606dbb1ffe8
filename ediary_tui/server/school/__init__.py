"""Running a real school: its structure, imports, the school year, accounts, operations.

What a school's administrator does, from the command line (`ediary admin`) or
from the app's admin screens (through `routes/admin.py`). Each operation is one
transaction, raises `AdminError` with a sentence that says what to fix, and
writes who did it to the audit log (`audit.py`).
"""
