"""``cpts-bot demo`` and ``cpts-bot chat``: the demo and its terminal client."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpts_bot.devtools.demo_scenes import DEMO_ROLES, SCENES

CHAT_HELP = """\
Shows every message the user receives, in every room, as it arrives, numbered [1], [2] ...
(an edit is shown as the edit of its number, a file with its name). Type a line to send
it to the current room (at first, the direct chat with the bot), or:
  /r 3 je prends      reply to message 3 (in its room)
  /👍 3               react 👍 to message 3 (also /react 3 ❌, any emoji)
  /rooms              list the rooms; /room 2 (or /room Alertes) switches to one
  /file PATH          send a file to the current room
  /help               this help; /quit (or Ctrl-D) leaves

demo users:
""" + "\n".join(f"  {name:12} {role}" for name, role in DEMO_ROLES.items())


def register_demo_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = commands.add_parser(
        "demo",
        help="local Synapse + bot + sample territory + a scripted conversation",
        description="Starts a local Synapse and the bot on a sample territory, plays the"
        " scenes, prints the logins, and keeps running (Ctrl-C stops it). Logs go to"
        " STATE_DIR/demo/bot.log and STATE_DIR/demo/synapse/.",
    )
    _add_state_dir(
        demo,
        "where the demo keeps Synapse, its data and logs (default: .cpts; the demo in"
        " STATE_DIR/demo)",
    )
    demo.add_argument("--no-wait", action="store_true", help="stop after the scripted conversation")
    demo.add_argument(
        "--scene",
        dest="scenes",
        action="append",
        choices=list(SCENES),
        help="the scene to play (default: tour); repeat it to play several in a row",
    )
    demo.set_defaults(handler=_run_demo)
    _register_chat_command(commands)


def _register_chat_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    chat = commands.add_parser(
        "chat",
        help="talk to the running demo from the terminal (end-to-end encrypted)",
        description="Log in to the running demo as a demo user, end-to-end encrypted.",
        epilog=CHAT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument(
        "--as",
        dest="user",
        default="demo-gp",
        choices=list(DEMO_ROLES),
        metavar="USER",
        help="the demo user to be (default: demo-gp; list below)",
    )
    _add_state_dir(chat, "the running demo's state folder (default: .cpts)")
    chat.set_defaults(handler=_run_chat)


def _add_state_dir(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--state-dir``: the demo and the chat that talks to it share the folder."""
    parser.add_argument("--state-dir", type=Path, default=Path(".cpts"), help=help_text)


def _run_demo(args: argparse.Namespace) -> int:
    from cpts_bot.devtools.demo import run_demo

    return run_demo(args.state_dir, not args.no_wait, tuple(args.scenes or ("tour",)))


def _run_chat(args: argparse.Namespace) -> int:
    from cpts_bot.devtools.terminal_chat import run_chat

    return run_chat(args.state_dir, args.user)
