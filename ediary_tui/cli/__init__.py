"""`ediary` and its subcommands: the one place that wires every part together.

`ediary` opens the app (on the embedded demo school unless a server is
given); `serve`, `demo` and `admin` run the school server's side. Errors are
one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .common import CliError, _date, _default_db, _positive, _run, _with_engine


def _proxies(value: str) -> list[str]:
    """One or more addresses or networks, comma-separated: 10.0.0.5, 10.0.0.0/24, ::1."""
    import ipaddress

    proxies = [p.strip() for p in value.split(",") if p.strip()]
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{proxy!r} is not an address or a network like 10.0.0.0/24"
            ) from None
    return proxies


def has_terminal() -> bool:
    """Whether stdin and stdout are a terminal; without one the app would wait forever."""
    try:
        return all(s is not None and s.isatty() for s in (sys.stdin, sys.stdout))
    except ValueError:  # a closed stream
        return False


def _no_terminal() -> str:
    if os.environ.get("SSH_ORIGINAL_COMMAND") is not None:
        # sshd's ForceCommand runs us for `ssh host cmd`, sftp and scp too.
        return "this account opens the diary in a terminal only: connect with plain ssh"
    return "the app needs a terminal on stdin and stdout (the server's side: ediary serve, admin)"


def cmd_app(args: argparse.Namespace) -> int:
    if not has_terminal():
        raise CliError(_no_terminal())
    from ediary_tui.client import locations
    from ediary_tui.client.cache import OfflineCache
    from ediary_tui.client.config import ConfigError, load_config
    from ediary_tui.client.credentials import CredentialStore
    from ediary_tui.client.exports import Exports
    from ediary_tui.client.session import DiarySession
    from ediary_tui.embedded import remove_database

    from .service_choice import choose_service

    try:
        config = load_config()
    except ConfigError as exc:
        raise CliError(f"{locations.config_file()}: {exc}") from None
    chosen = choose_service(args, config)
    if args.demo_reset:
        remove_database(locations.demo_db_path())
    client = chosen.client
    demo_accounts = chosen.demo_accounts
    credentials = CredentialStore(remember=not args.no_remember)
    session = DiarySession(client, credentials, OfflineCache(), Exports(config.export_dir))

    from ediary_tui.app import EdiaryApp
    from ediary_tui.context import AppContext
    from ediary_tui.i18n import detect_language, set_language

    lang = detect_language(args.lang or config.lang)
    set_language(lang)  # before the keyring notice is worded
    # The composition root: the session, the journal's outbox with its sync and sender, and
    # the change follower, once for the app's life; the app hands each screen what it uses.
    context = AppContext.build(session, today=chosen.today)
    app = EdiaryApp(
        context,
        lang=lang,
        demo_accounts=demo_accounts,
        notice=credentials.fallback_notice,
        login_hint=chosen.login_hint,
    )
    # What exists now lives as long as the app: keep the collector off it, so that a
    # full collection does not stall a keypress (100+ ms seen over ~200k objects).
    gc.freeze()
    app.run()
    return app.return_code or 0


# --- the server ---------------------------------------------------------------


def _access_log(args: argparse.Namespace) -> str:
    """Where the access log goes ('' for nowhere), checked before the server starts,
    so a file it cannot write is one line now and not a failing request later."""
    if args.no_access_log:
        return ""
    if args.access_log == "-":
        return "-"
    path = Path(args.access_log).expanduser().resolve()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise CliError(f"cannot write the access log {str(path)!r}: {exc.strerror}") from None
    return str(path)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    url = args.db or os.environ.get("EDIARY_DB") or _default_db(args.demo)
    access_log = _access_log(args)

    async def prepare(engine: Any) -> None:
        from ediary_tui.server import db
        from ediary_tui.server.demo import build_demo

        if args.demo and await db.is_empty(engine):
            print("building the demo school…", file=sys.stderr)
            now = None if args.today else dt.datetime.now(dt.UTC)  # nothing dated after it
            await build_demo(engine, today=args.today or dt.date.today(), now=now)

    _run(lambda: _with_engine(url, prepare))
    os.environ["EDIARY_DB"] = url
    os.environ["EDIARY_DOCS"] = "1" if args.docs else "0"
    proxies = [p for group in args.trusted_proxy or [] for p in group]
    os.environ["EDIARY_TRUSTED_PROXIES"] = ",".join(proxies)
    os.environ["EDIARY_ACCESS_LOG"] = access_log
    where = "API at /api/v1, docs at /api/v1/docs" if args.docs else "API at /api/v1"
    print(f"serving {url} on http://{args.host}:{args.port} ({where})", file=sys.stderr)
    uvicorn.run(
        "ediary_tui.server.asgi:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        # Ours (--access-log) instead: uvicorn's would write query strings as they came.
        access_log=False,
        # uvicorn would believe X-Forwarded-For from any loopback peer; the app reads it
        # from the --trusted-proxy addresses only.
        proxy_headers=False,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    url = args.db or _default_db(True)

    async def build(engine: Any) -> Any:
        from ediary_tui.server import demo

        await demo.wipe(engine)
        return await demo.build_demo(
            engine,
            today=args.today or dt.date.today(),
            now=None if args.today else dt.datetime.now(dt.UTC),
            seed=args.seed,
            schools=args.schools,
            classes_per_grade=args.classes_per_grade,
            students_per_class=args.students_per_class,
        )

    summary = _run(lambda: _with_engine(url, build))
    print(
        f"demo built in {url}: {summary.schools} school(s), {summary.classes} classes, "
        f"{summary.users} users, {summary.lessons} lessons, {summary.marks} marks"
    )
    print(
        "logins (password demo): admin, teacher, parent, student; all others: ediary admin list-users"
    )
    return 0


# --- the parser ---------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ediary",
        description="The school electronic diary and journal in your terminal.",
        epilog="With no server given, the app opens an embedded demo school (no server to start).",
    )
    parser.add_argument("--server", metavar="URL", help="the school server to connect to")
    parser.add_argument("--profile", metavar="NAME", help="a server profile from config.toml")
    parser.add_argument(
        "--provider",
        choices=["ediary", "mos", "dnevnik", "eljur"],
        help="a real diary to read instead of a school server: mos (Moscow, МЭШ), "
        "dnevnik (Dnevnik.ru), eljur (ElJur); read only",
    )
    parser.add_argument(
        "--replay",
        type=Path,
        metavar="DIR",
        help="play a real diary's recorded answers from DIR (with --provider), e.g. examples/mos",
    )
    parser.add_argument(
        "--lang", choices=["en", "ru"], help="the language (default: from the locale)"
    )
    parser.add_argument(
        "--no-remember", action="store_true", help="do not keep the login token after exit"
    )
    parser.add_argument(
        "--demo-reset", action="store_true", help="rebuild the embedded demo school"
    )
    parser.set_defaults(func=cmd_app)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the school server (HTTP API v1)")
    serve.add_argument("--db", metavar="URL", help="a SQLite path or a postgresql:// URL")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_positive, default=8000)
    serve.add_argument("--workers", type=_positive, default=1)
    serve.add_argument(
        "--demo", action="store_true", help="create the demo school in an empty database"
    )
    serve.add_argument("--today", type=_date, help="the demo school's today (default: today)")
    serve.add_argument(
        "--docs",
        action="store_true",
        help="serve the interactive API docs at /api/v1/docs (from the package, no CDN)",
    )
    serve.add_argument(
        "--trusted-proxy",
        type=_proxies,
        action="append",
        metavar="ADDR",
        help="a proxy whose X-Forwarded-For names the client (repeatable, or a comma list; "
        "default: none, the peer's own address counts)",
    )
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    log = serve.add_mutually_exclusive_group()
    log.add_argument(
        "--access-log",
        metavar="FILE",
        default="-",
        help="append a line per request to FILE (default: -, stderr); no tokens, passwords "
        "or bodies are written",
    )
    log.add_argument("--no-access-log", action="store_true", help="write no access log")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="build (or rebuild) the demo school")
    demo.add_argument(
        "--db", metavar="URL", help="a SQLite path or a postgresql:// URL (default: the app's demo)"
    )
    demo.add_argument("--today", type=_date, help="the date the demo is built for (default: today)")
    demo.add_argument("--schools", type=_positive, default=1)
    demo.add_argument("--classes-per-grade", type=_positive, default=2)
    demo.add_argument("--students-per-class", type=_positive, default=25)
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(func=cmd_demo)

    from .admin import add_admin_parser

    add_admin_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"ediary: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output has gone (`ediary admin list-users | head`): stop
        # quietly, and keep Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
