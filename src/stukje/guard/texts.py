"""Every sentence the guard can show, as gettext message ids (English) with a context key.

Only markers live here; :mod:`stukje.guard.messages` translates them. The words were written
first in Dutch for 13- to 24-year-olds: short, calm, never blaming. ``pybabel extract`` finds them
with the keywords ``T_`` (context, id) and ``TN_`` (context, singular, plural); see docs/guard.md.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["TN_", "T_", "PluralText", "Text"]


class Text(NamedTuple):
    context: str
    msgid: str


class PluralText(NamedTuple):
    context: str
    singular: str
    plural: str


def T_(context: str, msgid: str) -> Text:  # noqa: N802 - gettext marker convention
    return Text(context, msgid)


def TN_(context: str, singular: str, plural: str) -> PluralText:  # noqa: N802
    return PluralText(context, singular, plural)


TITLE_THINK = {
    "upload": T_("title.think.upload", "Think before you post"),
    "send": T_("title.think.send", "Think before you send"),
    "forward": T_("title.think.forward", "Think before you forward"),
}
TITLE_CANNOT_SHARE = T_("title.cannot_share", "You can't share this picture")
TITLE_HIDDEN = T_("title.hidden", "This picture is hidden")
TITLE_BLURRED = T_("title.blurred", "This picture may show nudity")

BODY_MATCH_BLOCK = T_(
    "body.match.block",
    "Someone asked for this picture to stop spreading. Sharing it without their consent hurts "
    "them, and in many countries it is a crime.",
)
BODY_MATCH_HIDDEN = T_(
    "body.match.hidden",
    "It was reported as a private picture that is being shared without consent. Is it of you? "
    "You are not alone: there is help below.",
)
BODY_NUDITY_NUDGE_ADULT = T_(
    "body.nudity.nudge.adult",
    "This picture may show nudity. Are you sure everyone in it is OK with you sharing it?",
)
BODY_NUDITY_NUDGE_MINOR = T_(
    "body.nudity.nudge.minor",
    "This picture may show nudity. Once it is sent, you can't take it back. Sharing nude "
    "pictures of someone under 18 can be a crime, even if you are young yourself. Only go on if "
    "you are sure.",
)
BODY_NUDITY_BLOCK_CHILD = T_(
    "body.nudity.block.child",
    "This picture may show nudity, so you can't send it. Did someone ask you for a picture like "
    "this, or send you one? Talk about it with someone you trust.",
)
BODY_NUDITY_BLOCK = T_(
    "body.nudity.block",
    "This picture may show nudity, and here it would reach too many people. Pictures like this "
    "can't be taken back once they spread.",
)
BODY_NUDITY_BLUR_CHILD = T_(
    "body.nudity.blur.child",
    "This picture may show nudity, so it is hidden. You don't have to look at it. Talk about it "
    "with someone you trust, like a parent or a teacher.",
)
BODY_NUDITY_BLUR = T_(
    "body.nudity.blur",
    "It is blurred, and you decide whether to look. Didn't want it? You don't have to reply, and "
    "you can get help.",
)
BODY_NUDITY_HIDDEN = T_(
    "body.nudity.hidden",
    "This picture may show nudity, so it is not shown here.",
)

NOTE_LARGE_AUDIENCE = T_("note.large_audience", "It would reach a lot of people at once.")
NOTE_PUBLIC_AUDIENCE = T_("note.public_audience", "Anyone could see it there.")
NOTE_FORWARDED_OFTEN = TN_(
    "note.forwarded_often",
    "This picture has already been forwarded {count} time.",
    "This picture has already been forwarded {count} times.",
)

CHOICE_GO_ON = {
    "upload": T_("choice.go_on.upload", "Post anyway"),
    "send": T_("choice.go_on.send", "Send anyway"),
    "forward": T_("choice.go_on.forward", "Forward anyway"),
}
CHOICE_STOP = {
    "upload": T_("choice.stop.upload", "Don't post"),
    "send": T_("choice.stop.send", "Don't send"),
    "forward": T_("choice.stop.forward", "Don't forward"),
}
CHOICE_OK = T_("choice.ok", "OK")
CHOICE_VIEW = T_("choice.view", "Show anyway")
CHOICE_KEEP_HIDDEN = T_("choice.keep_hidden", "Keep it hidden")
CHOICE_HELP_ADULT = T_("choice.help.adult", "Get help and advice")
CHOICE_HELP_MINOR = T_("choice.help.minor", "Message someone you trust")

HELP_HEADING = T_("help.heading", "Help and advice")
