"""What the engine says on stdin: `{"type":"cancel"}` (finish the batch, save last/, stop) and
`{"type":"checkpointSaved"}` (the engine has written a checkpoint in ConvLab's format beside the
state_dict, so the folder may be replaced again). A closed stdin means the engine is gone."""
import json
import sys
import threading


class EngineControl:
    def __init__(self, listen: bool = True) -> None:
        self._cancel = threading.Event()
        self._saved = threading.Semaphore(0)
        self._closed = threading.Event()
        if listen:
            threading.Thread(target=self._read, name="convlab-stdin", daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            try:
                kind = json.loads(line).get("type")
            except (ValueError, AttributeError):
                sys.stderr.write(f"convlab_torch: ignored a stdin line that is not JSON: {line[:80]!r}\n")
                continue
            if kind == "cancel":
                self._cancel.set()
            elif kind == "checkpointSaved":
                self._saved.release()
        self._closed.set()
        self._cancel.set()
        self._saved.release()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def request_cancel(self) -> None:
        self._cancel.set()

    def wait_until_saved(self) -> None:
        """Blocks until the engine has converted the checkpoint just announced."""
        self._saved.acquire()
        if self._closed.is_set():
            raise SystemExit("convlab_torch: the engine closed stdin; stopping")
