"""The new_answer content decoded while its JSON arguments stream in pieces."""

import json

import pytest

from mgtui.engine.draft import DraftDecoder

CONTENT = 'Line "one"\nTab\there, slash \\ and unicode é ☃ \U0001f600 done.'


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 50])
def test_any_split_of_the_arguments_decodes_to_the_content(piece: int) -> None:
    raw = json.dumps({"content": CONTENT})  # ascii escapes: \\uXXXX pairs included
    decoder, seen = DraftDecoder(), ""
    for end in range(piece, len(raw) + piece, piece):
        seen += decoder.feed(raw[:end])
    assert seen == CONTENT
    assert decoder.done


def test_nothing_before_the_content_key_and_nothing_after_the_value() -> None:
    decoder = DraftDecoder()
    assert decoder.feed('{"cont') == ""
    assert decoder.feed('{"content": "Hi') == "Hi"
    assert decoder.feed('{"content": "Hi", "extra": "no"}') == ""
