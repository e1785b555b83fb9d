"""A mention is made only of a real chat id: an owner typed into a CSV or a CRM is outside
text, and must never turn into markup however it starts."""

from __future__ import annotations

from handlers.views.text import channel_mention, mention


def test_only_real_ids_become_mentions():
    assert mention("U0AMDANA01") == "<@U0AMDANA01>"
    assert mention("W0ENTERPRISE1") == "<@W0ENTERPRISE1>"
    assert mention("U1> <!channel") == "U1&gt; &lt;!channel"
    assert mention("Ursula <!here>") == "Ursula &lt;!here&gt;"
    assert mention("dana@northwind.example") == "dana@northwind.example"
    assert mention("") == "someone"
    assert channel_mention("C0REVIEWS01") == "<#C0REVIEWS01>"
    assert channel_mention("C1> <!everyone") == "C1&gt; &lt;!everyone"
