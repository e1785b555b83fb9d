import time
pytest_plugins = ["tests.imap_server"]
def test_dbg(imap_dovecot):
    from bot.mailin import ImapSource, ImapError
    for i in range(3):
        s = imap_dovecot.add_user()
        t = time.monotonic()
        try:
            ImapSource(s.url(password="nope"), ssl_context=s.ssl_context)._connect()
        except ImapError as e:
            print("fail", time.monotonic() - t, e)
    s = imap_dovecot.add_user()
    t = time.monotonic(); s.create_folder("X"); print("ok", time.monotonic() - t)
    t = time.monotonic(); s.create_folder("Y"); print("ok", time.monotonic() - t)
    print(imap_dovecot.log()[-3000:])
