"""Hot reload across processes: a word added in one process is found by another within seconds."""

import subprocess
import sys
import time
from pathlib import Path

WORKER = str(Path(__file__).with_name("sw_reload_worker.py"))


def run(shared, *args):
    subprocess.run([sys.executable, WORKER, str(shared), *args], check=True, timeout=120)


def test_word_added_in_one_process_is_found_by_a_running_process(tmp_path):
    run(tmp_path, "setup")
    server = subprocess.Popen(
        [sys.executable, WORKER, str(tmp_path), "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:

        def ask(text):
            server.stdin.write(text + "\n")
            server.stdin.flush()
            return server.stdout.readline().split()

        before = ask("这里有新增词语")
        assert before[0] == "-"
        run(tmp_path, "add", "新增词语")
        deadline = time.monotonic() + 10
        answer = ask("这里有新增词语")
        while answer[0] == "-" and time.monotonic() < deadline:
            time.sleep(0.1)
            answer = ask("这里有新增词语")
        assert answer[0] == "新增词语"
        assert int(answer[1]) > int(before[1])  # rebuilt from a newer version
    finally:
        server.stdin.close()
        server.wait(timeout=30)
