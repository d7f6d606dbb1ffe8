"""Moscow's city school diary (МЭШ: school.mos.ru; the Region's "Моя школа" on its own host).

Read through the family mobile API and the events calendar, signed in through
the mos.ru headless password flow (with its SMS step) or a pasted `aupd_token`.
Built and tried only on recorded answers shaped after the public clients.
"""
