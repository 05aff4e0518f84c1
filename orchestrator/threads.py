"""A few worker threads for the steps that wait on the network (listings, HEADs, uploads).

What `concurrent.futures.ThreadPoolExecutor` does for these steps, without importing it:
that module imports `logging` (and with it `traceback`, `string`, `textwrap`), about 7 ms
of every `deploy`, more than the listing it runs. The semantics are the executor's:

- `submit` queues a call and returns its `Task`; `Task.result()` waits and returns its value
  or raises what the call raised;
- `map` submits every item at once and yields the results in order; when the caller stops
  early (an error, Ctrl-C) the calls not yet started are cancelled;
- leaving the `with` block lets every submitted call that was not cancelled finish, then
  stops the workers. Workers are started on demand, up to the limit, and reused.

Workers are daemon threads: a pool that is never shut down (a file share's range uploads)
does not keep the process alive once the command has its answer.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_PENDING, _RUNNING, _DONE, _CANCELLED = range(4)


class Cancelled(Exception):
    """The task was cancelled before it started."""


class Task(Generic[T]):
    """One submitted call."""

    __slots__ = ("_call", "_error", "_finished", "_lock", "_state", "_value")

    def __init__(self, call: Callable[[], T], lock: threading.Condition) -> None:
        self._call = call
        self._state = _PENDING
        self._value: T | None = None
        self._error: BaseException | None = None
        self._finished = threading.Event()
        self._lock = lock  # the pool's: state changes are made under it

    def result(self) -> T:
        """The call's value once it has run; raises what it raised, or `Cancelled`."""
        self._finished.wait()
        if self._state == _CANCELLED:
            raise Cancelled()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set when the call returned

    def cancel(self) -> bool:
        """Cancel the call unless it has started; whether it is cancelled."""
        with self._lock:
            if self._state == _PENDING:
                self._state = _CANCELLED
                self._finished.set()
            return self._state == _CANCELLED

    def _start(self) -> bool:
        """Claim the task for a worker (under the pool's lock); False if it was cancelled."""
        if self._state != _PENDING:
            return False
        self._state = _RUNNING
        return True

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as error:  # handed to whoever asks for the result, as Future does
            self._error = error
        with self._lock:
            self._state = _DONE
        self._finished.set()


class Pool:
    """Up to `workers` threads named `<name>_<n>`; use it as a context manager."""

    def __init__(self, workers: int, name: str = "pool") -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self._limit = workers
        self._name = name
        self._lock = threading.Condition()
        self._queue: deque[Task[object]] = deque()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._closed = False

    def submit(self, call: Callable[..., T], /, *args: object) -> Task[T]:
        task: Task[T] = Task(lambda: call(*args), self._lock)
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            self._queue.append(task)  # type: ignore[arg-type]  # run and read as Task[T]
            if self._idle >= len(self._queue) or len(self._threads) >= self._limit:
                self._lock.notify()
            else:
                worker = threading.Thread(
                    target=self._work, name=f"{self._name}_{len(self._threads)}", daemon=True
                )
                self._threads.append(worker)
                worker.start()
        return task

    def map(self, call: Callable[[T], R], items: Iterable[T]) -> Generator[R, None, None]:
        """`call(item)` for every item, in parallel; the results in the items' order."""
        tasks = [self.submit(call, item) for item in items]

        def results() -> Generator[R, None, None]:
            try:
                for task in tasks:
                    yield task.result()
            finally:
                for task in tasks:
                    task.cancel()

        return results()

    def shutdown(self) -> None:
        """Let the queued calls finish, then stop the workers and wait for them."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        for worker in self._threads:
            worker.join()

    def __enter__(self) -> Pool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.shutdown()

    def _work(self) -> None:
        while (task := self._next()) is not None:
            task._run()

    def _next(self) -> Task[object] | None:
        """The next task not cancelled, once there is one; None when shut down and drained."""
        with self._lock:
            while True:
                while not self._queue and not self._closed:
                    self._idle += 1
                    self._lock.wait()
                    self._idle -= 1
                if not self._queue:
                    return None
                task = self._queue.popleft()
                if task._start():
                    return task
