import os, pty, sys, time, select
# usage: pty_run.py <wait-for-text> <keys> -- argv...
wait, keys = sys.argv[1], sys.argv[2].encode().decode('unicode_escape').encode('latin1')
argv = sys.argv[sys.argv.index('--') + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.environ.pop('CI', None)
    os.execvp(argv[0], argv)
out = b''
sent = False
deadline = time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if not sent and wait.encode() in out:
        os.write(fd, keys)
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
