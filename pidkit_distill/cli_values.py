"""Readers of single ``pidkit-distill`` option values, run by argparse as each option's
``type``: a bad value is refused at parse time, naming the option as the user typed it."""

from __future__ import annotations

import argparse

__all__ = ["demo_epochs", "key_value"]


def demo_epochs(text: str) -> int:
    """``demo --epochs``, read as a whole number of at least 2 at once, so that its refusal
    names the option typed (it said 'epochs must be an int >= 2', the Python argument)."""
    try:
        epochs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if epochs < 2:
        raise argparse.ArgumentTypeError(
            "must be a whole number of at least 2 (RID's schedule scaled to one epoch leaves "
            f"its student none); got {epochs}, e.g. --epochs 2")
    return epochs


def key_value(text: str) -> str:
    """``--set``'s value, refused at once where it has no ``=``: ``--set run.epochs 3`` was
    told only 'unrecognized arguments: 3', the key having been taken as a whole override.
    An empty key or an empty part of one (``.epochs``, ``run.``) is refused in one line too,
    instead of the list of every known key. An empty value stays: ``--set run.name=`` clears
    a text key."""
    if "=" not in text:
        fix = f": write --set {text.strip()}=VALUE" if text.strip() else ""
        raise argparse.ArgumentTypeError(
            f"takes KEY=VALUE as one word, e.g. --set run.epochs=3; got {text!r}, with no "
            f"'='{fix}")
    key = text.split("=", 1)[0].strip()
    if not key:
        raise argparse.ArgumentTypeError(
            f"got {text!r}, whose key (before '=') is empty; write KEY=VALUE, "
            f"e.g. --set run.epochs=3")
    if "" in key.split("."):
        raise argparse.ArgumentTypeError(
            f"got {text!r}, whose key {key!r} has an empty part between dots; write "
            f"SECTION.NAME=VALUE, e.g. --set run.epochs=3")
    return text
