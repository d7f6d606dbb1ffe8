"""How the app reaches a server: DiaryClient, credentials, the offline cache, the outbox.

Import the modules themselves (`ediary_tui.client.api`, `.session`, ...); this
package imports nothing, so that what a start-up does not need costs nothing.
"""
