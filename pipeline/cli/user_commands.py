"""``minewatch users add NAME --role R`` and ``minewatch users token NAME``: accounts of
the review app. The password comes from stdin when piped, else from a prompt."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from models.db import storage_errors, upgrade
from models.review_schema import ROLES
from models.review_users import add_user, issue_token
from pipeline.errors import InputRejected

if TYPE_CHECKING:
    from pipeline.cli.commands import Context


def add_user_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help="accounts of the review app")
    actions = users.add_subparsers(required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account (password from stdin or a prompt)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=ROLES, default="reviewer")
    add.set_defaults(handler=add_account)
    token = actions.add_parser("token", help="issue a new API token (replaces the old one)")
    token.add_argument("name", metavar="NAME")
    token.set_defaults(handler=new_token)


def read_password() -> str:
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise InputRejected("the passwords differ; run the command again")
    if not password:
        raise InputRejected("no password given; pipe it on stdin or type it at the prompt")
    return password


def add_account(args: argparse.Namespace, ctx: Context) -> int:
    upgrade(ctx.config.database.url)
    password = read_password()
    with storage_errors(ctx.config.database.url), ctx.sessions.begin() as session:
        user = add_user(session, args.name, args.role, password)
    ctx.out.print(f"user {user.name} ({user.role}) created", markup=False)
    return 0


def new_token(args: argparse.Namespace, ctx: Context) -> int:
    upgrade(ctx.config.database.url)
    with storage_errors(ctx.config.database.url), ctx.sessions.begin() as session:
        token = issue_token(session, args.name)
    sys.stdout.write(token + "\n")
    return 0
