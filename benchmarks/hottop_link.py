"""The Hottop link: command-to-wire latency through a real pty, and stream decoding cost.

Prints:
* command -> wire latency: ``set_heat`` on the driver until the virtual Hottop has applied the
  control frame, real time, median and p99 over 200 commands (driver and emulator at 1x);
* frames decoded per CPU second: :class:`FrameReader` plus :meth:`StatusFrame.decode` over a
  stream of valid frames in 4 KiB chunks, clean and with 10 % of frames corrupted.

Run: ``.venv/bin/python benchmarks/hottop_link.py``
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from roastctl.hottop.driver import HottopRoaster
from roastctl.hottop.emulator import VirtualHottop
from roastctl.hottop.protocol import FrameReader, StatusFrame

COMMANDS = 200
FRAMES = 200_000


def command_latency() -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        link = Path(folder) / "hottop"
        with VirtualHottop(link_path=link, seed=1) as hottop:
            driver = HottopRoaster(str(link), timeout_s=0.05)
            driver.connect()
            driver.start_drum()
            latencies = []
            for k in range(COMMANDS):
                heat = 10 + k % 2 * 10
                start = time.perf_counter()
                driver.set_heat(heat)
                while hottop.state.outputs.heat_percent != heat:
                    time.sleep(0.0002)
                latencies.append(time.perf_counter() - start)
                time.sleep(0.01)
            driver.disconnect()
    return latencies


def decode_rate(corrupt_every: int) -> float:
    frames = []
    for k in range(FRAMES):
        frame = bytearray(
            StatusFrame(k % 100, 0, k % 11, False, True, False, True, 180, 150).encode()
        )
        if corrupt_every and k % corrupt_every == 0:
            frame[35] ^= 0xFF
        frames.append(bytes(frame))
    stream = b"".join(frames)
    reader = FrameReader()
    decoded = 0
    start = time.process_time()
    for offset in range(0, len(stream), 4096):
        for raw in reader.feed(stream[offset : offset + 4096]):
            StatusFrame.decode(raw)
            decoded += 1
    return decoded / (time.process_time() - start)


def main() -> None:
    latencies = command_latency()
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"command -> wire (set_heat applied by the virtual Hottop): median "
        f"{statistics.median(latencies) * 1e3:6.2f} ms   p99 {p99 * 1e3:6.2f} ms   (n={COMMANDS})"
    )
    for corrupt_every, label in ((0, "clean stream"), (10, "10 % of frames corrupted")):
        rate = decode_rate(corrupt_every)
        print(f"frames decoded per CPU second, {label:26s}: {rate:10.0f}")


if __name__ == "__main__":
    main()
