"""No gap after a backlog: with the bot stopped, 300 questions in one direct chat and 150
in a shared room; restarted, the bot answers each exactly once, in order.

The sync filter returns at most 100 events per room: without back-filling the ``limited``
timeline from ``prev_batch``, the oldest 200 and 50 questions were never answered.
"""

from __future__ import annotations

import pytest

from tests.faults.backlog_support import EchoBot, answer_report, send_many, wait_answers

pytestmark = pytest.mark.synapse

DIRECT_QUESTIONS = 300
SHARED_QUESTIONS = 150


async def test_every_question_sent_while_the_bot_was_stopped_is_answered_once(
    users, make_bot
) -> None:
    gp = await users.client("gp")
    nurse = await users.client("nurse")
    bot = make_bot(coordinators=[gp.user_id], allowed=[nurse.user_id])
    bot.start()
    direct = await gp.create_encrypted_room([bot.user_id])
    shared = await gp.create_encrypted_room([bot.user_id, nurse.user_id], direct=False)
    for user in (bot.user_id, nurse.user_id):
        await gp.wait_joined(shared, user)
    await gp.wait_joined(direct, bot.user_id)
    mention = {"m.mentions": {"user_ids": [bot.user_id]}}
    # One exchange each first: room keys and device lists are settled before the outage.
    await gp.wait_reply(await gp.send(direct, "aide"), timeout=60)
    await nurse.wait_reply(await nurse.send(shared, "aide", extra=mention), timeout=60)
    assert bot.stop() == 0

    direct_questions = await send_many([gp], direct, DIRECT_QUESTIONS)
    shared_questions = await send_many([gp, nurse], shared, SHARED_QUESTIONS, mention)

    bot.start(timeout=120)
    direct_answers = await wait_answers(gp, direct, bot.user_id, direct_questions, 300)
    shared_answers = await wait_answers(gp, shared, bot.user_id, shared_questions, 120)

    for questions, answers in (
        (direct_questions, direct_answers),
        (shared_questions, shared_answers),
    ):
        report = answer_report(questions, answers)
        assert report["answered once"] == len(questions), (report, bot.log_text()[-2000:])
        # Handled in order: the answers follow the questions' order.
        assert [answer.reply_to for answer in answers] == questions
    assert "timeline back-filled" in bot.log_text()
    assert bot.stop() == 0


async def test_the_bare_echo_bot_answers_a_whole_burst(users, synapse, tmp_path) -> None:
    """The benchmarks' floor reads a limited timeline the same way: a burst of 300 that
    piles up while it is paused (SIGSTOP) is answered in full, once each."""
    gp = await users.client("gp")
    echo_id, echo_password = users.create("echo")
    echo = EchoBot.start(synapse.url, echo_id, echo_password, tmp_path / "echo")
    try:
        room = await gp.create_encrypted_room([echo_id])
        await gp.wait_joined(room, echo_id)
        await gp.wait_reply(await gp.send(room, "aide"), timeout=60)
        echo.pause()
        questions = await send_many([gp], room, DIRECT_QUESTIONS)
        echo.resume()
        answers = await wait_answers(gp, room, echo_id, questions, 180)
    finally:
        echo.stop()
    report = answer_report(questions, answers)
    assert report["answered once"] == len(questions), (report, echo.log_text()[-2000:])
    assert [answer.reply_to for answer in answers] == questions
