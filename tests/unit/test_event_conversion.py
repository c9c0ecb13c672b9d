from cpts_bot.matrix.event_listener import predates, strip_reply_fallback
from cpts_bot.matrix.matrix_chat_gateway import message_content


def test_reply_fallback_lines_are_removed() -> None:
    body = "> <@bot:hs> Voici ce que je sais faire\n> • item\n\nkiné à domicile lyon 8"
    assert strip_reply_fallback(body) == "kiné à domicile lyon 8"


def test_a_message_without_fallback_is_unchanged() -> None:
    assert strip_reply_fallback("aide\n> pas une citation") == "aide\n> pas une citation"


def test_notice_content_is_a_reply_with_html_and_mentions() -> None:
    content = message_content(
        {"text": "Bonjour", "html": "<b>Bonjour</b>", "mentions": ["@a:hs"], "in_reply_to": "$q"}
    )
    assert content["msgtype"] == "m.notice"
    assert content["formatted_body"] == "<b>Bonjour</b>"
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$q"}}
    assert content["m.mentions"] == {"user_ids": ["@a:hs"]}


def test_room_mention_is_marked_for_urgent_messages() -> None:
    content = message_content({"text": "Alerte", "room_mention": True})
    assert content["body"].startswith("@room ")
    assert content["m.mentions"]["room"] is True


def test_thread_reply_keeps_the_thread() -> None:
    content = message_content({"text": "ok", "thread_root": "$root", "in_reply_to": "$q"})
    assert content["m.relates_to"]["rel_type"] == "m.thread"
    assert content["m.relates_to"]["event_id"] == "$root"
    assert content["m.relates_to"]["m.in_reply_to"] == {"event_id": "$q"}


def test_events_before_joining_are_old() -> None:
    assert predates("2026-11-23T08:00:00.000000Z", "2026-11-23T09:00:00.000000Z")
    assert not predates("2026-11-23T10:00:00.000000Z", "2026-11-23T09:00:00.000000Z")
    assert not predates("2026-11-23T10:00:00.000000Z", None)
