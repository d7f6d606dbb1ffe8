"""ElJur (eljur.ru), read only: its `apiv3` answers mapped onto our models.

Built from the public shapes of BetterJournal/EljurAPI and tried only on recorded
answers (examples/eljur); nothing here has talked to the real service.
"""
