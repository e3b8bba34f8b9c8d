"""Generated tokens."""

from clients.tokens import generate_token


def test_generated_tokens_never_start_with_a_dash_so_command_lines_accept_them():
    tokens = [generate_token() for _ in range(500)]
    assert not any(token.startswith("-") for token in tokens)
    assert {len(token) for token in tokens} == {86}
    assert len(set(tokens)) == 500
