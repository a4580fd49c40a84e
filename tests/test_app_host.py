"""`cxo-sim app --host`: binding beyond loopback warns that the app has no authentication."""

from __future__ import annotations

import pytest

from cxo_sim import app


@pytest.mark.parametrize(
    ("host", "warned"),
    [
        ("127.0.0.1", False),
        ("localhost", False),
        ("::1", False),
        ("0.0.0.0", True),
        ("::", True),
        ("192.168.1.20", True),
        ("my-laptop.example", True),
    ],
)
def test_serving_beyond_loopback_warns_that_there_is_no_authentication(
    host, warned, monkeypatch, capsys
):
    started = []
    monkeypatch.setattr(app.os, "execve", lambda *args: started.append(args))
    app.serve(host=host, port=9999)
    err = capsys.readouterr().err
    assert len(started) == 1
    assert ("no authentication" in err) is warned
    if warned:
        assert err.count("\n") == 1 and f"--host {host}" in err and "port 9999" in err
