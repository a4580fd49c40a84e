"""A Dask distributed cluster as the pool: its executor, a handshake with a deadline, its loss.

Covered by ``tests/experiments/test_dask_sweeps.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from cxo_sim.errors import UserError, one_line
from cxo_sim.experiments.pool import PoolError, WorkerPool

# Seconds a Dask scheduler has to answer the connection handshake.
CONNECT_SECONDS = 10.0


class DaskPool(WorkerPool):
    """The executor of an existing Dask distributed cluster (``Client(address).get_executor()``)."""

    def __init__(self, address: str, timeout: float | None = None):
        try:
            from distributed import Client
        except ImportError:
            raise UserError(
                "--scheduler needs Dask distributed: pip install 'cxo-sim[cluster]'"
            ) from None
        self.address = address
        timeout = CONNECT_SECONDS if timeout is None else timeout
        _handshake(address, timeout)
        try:
            self.client = Client(address, timeout=timeout)
            threads = sum(self.client.nthreads().values())
        except Exception as exc:  # whatever the cluster does wrong, the sweep cannot start
            raise UserError(
                f"--scheduler: cannot use the Dask scheduler at {address}: {one_line(exc)}"
            ) from None
        # When the scheduler dies, the client's event loop logs the broken connection with a
        # traceback (tornado.application) before the sweep notices; the sweep says it in one
        # line instead, so that logger is quiet while the pool is open.
        loop_log = logging.getLogger("tornado.application")
        self._loop_log_level = loop_log.level
        loop_log.setLevel(logging.CRITICAL)
        super().__init__(
            self.client.get_executor(pure=False),
            threads,
            f"Dask cluster at {address} ({threads} threads)",
        )

    def check(self) -> None:
        """Raise :class:`PoolError` once the client has lost its scheduler.

        A client that lost its scheduler tries to reconnect, but a scheduler that comes back has
        forgotten every run it held, so the sweep stops at once, to be resumed.
        """
        status = self.client.status
        if status != "running":
            raise PoolError(f"lost the Dask scheduler at {self.address} (the client is {status})")

    def stop_all(self, why: str) -> None:
        """A cluster's workers are not ours to stop: the sweep ends, to be resumed later."""
        raise PoolError(f"the Dask cluster at {self.address} stalled: {why}")

    def close(self, cancel: bool = False) -> None:
        """Shut the executor down and disconnect; the cluster itself keeps running.

        A client that lost its scheduler cannot cancel or wait for anything, so errors from
        it are dropped here, and so is its log line about giving up the reconnection: the
        sweep is over either way, says so in one line, and what it stored is safe.
        """
        lost = self.client.status != "running"
        client_log = logging.getLogger("distributed.client")
        level = client_log.level
        if lost:
            client_log.setLevel(logging.CRITICAL)
        try:
            with contextlib.suppress(Exception):
                super().close(cancel=cancel or lost)
            with contextlib.suppress(Exception):
                self.client.close(timeout=CONNECT_SECONDS)
        finally:
            client_log.setLevel(level)
            logging.getLogger("tornado.application").setLevel(self._loop_log_level)


def _handshake(address: str, timeout: float) -> None:
    """Connect to ``address`` and complete Dask's handshake within ``timeout`` seconds.

    The client's own timeout covers opening the connection but not the handshake after it, so
    a server that accepts and never answers (a web server) would hold it forever, and one that
    greets first (SSH, SMTP) makes it read a nonsense message length.
    """
    from distributed.comm import connect

    async def shake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        await comm.close()

    try:
        asyncio.run(shake())
    except MemoryError:  # it read a greeting's first bytes as an impossible message length
        raise UserError(
            f"--scheduler: {address} answered with something that is not a Dask handshake"
        ) from None
    except TimeoutError:
        raise UserError(
            f"--scheduler: no Dask scheduler answered at {address} within {timeout:g} s"
        ) from None
    except Exception as exc:  # a refused port, a bad address, a service that is not Dask
        raise UserError(
            f"--scheduler: cannot reach a Dask scheduler at {address}: {one_line(exc)}"
        ) from None
