"""Dnevnik.ru (and Kundelik, the same platform on its own host), read-only.

The partners' API (`/v2/`) answers the diary; the mobile API (`/mobile/v8.5/`)
signs in with a login and password and gives the service's own averages.
"""
