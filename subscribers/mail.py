"""Django's SMTP backend with two speed-ups for sending an issue to thousands of readers.

- Plain ASCII addresses (nearly all of them) skip the full RFC 5322 parse Django does for
  every address of every message (~0.4 ms each).
- When the server offers PIPELINING (RFC 2920), MAIL FROM, RCPT TO and DATA go in one write
  and their replies are read together: two round trips a message instead of four.

Anything else (no PIPELINING, unusual addresses) takes Django's own path unchanged.
"""

import contextlib
import email.policy
import re
import smtplib

from django.core.mail.backends import smtp

PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")


class EmailBackend(smtp.EmailBackend):
    def prep_address(self, address, force_ascii=True):
        if isinstance(address, str) and PLAIN_ADDRESS.match(address):
            return address
        return super().prep_address(address, force_ascii=force_ascii)

    def _send(self, email_message):
        self.connection.ehlo_or_helo_if_needed()  # learn what the server offers
        if not self.connection.has_extn("pipelining"):
            return super()._send(email_message)
        if not email_message.recipients():
            return False
        from_email = self.prep_address(email_message.from_email)
        recipients = [self.prep_address(address) for address in email_message.recipients()]
        data = email_message.message(policy=email.policy.SMTP).as_bytes()
        try:
            self._pipelined_sendmail(from_email, recipients, data)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    def _pipelined_sendmail(self, from_addr, to_addrs, data):
        """smtplib.SMTP.sendmail's behaviour and exceptions, with commands pipelined."""
        conn = self.connection
        conn.ehlo_or_helo_if_needed()
        mail = f"MAIL FROM:{smtplib.quoteaddr(from_addr)}"
        if conn.has_extn("size"):
            mail += f" SIZE={len(data)}"
        commands = [mail, *(f"RCPT TO:{smtplib.quoteaddr(a)}" for a in to_addrs), "DATA"]
        conn.send("".join(f"{command}\r\n" for command in commands))
        mail_reply = conn.getreply()
        rcpt_replies = [conn.getreply() for _ in to_addrs]
        data_code, data_text = conn.getreply()
        refused = {
            address: reply
            for address, reply in zip(to_addrs, rcpt_replies, strict=True)
            if reply[0] not in (250, 251)
        }
        if mail_reply[0] != 250 or len(refused) == len(to_addrs) or data_code != 354:
            if data_code == 354:
                # The server wants a message we will not send: end it empty, then reset.
                conn.send(b".\r\n")
                conn.getreply()
            self._reset(conn)
            if mail_reply[0] != 250:
                raise smtplib.SMTPSenderRefused(*mail_reply, from_addr)
            if len(refused) == len(to_addrs):
                raise smtplib.SMTPRecipientsRefused(refused)
            raise smtplib.SMTPDataError(data_code, data_text)
        # Dot-stuffing, as smtplib does; the search first, because most messages need none.
        body = re.sub(rb"(?m)^\.", b"..", data) if b"\n." in data else data
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        conn.send(body + b".\r\n")
        code, text = conn.getreply()
        if code != 250:
            self._reset(conn)
            raise smtplib.SMTPDataError(code, text)
        return refused

    @staticmethod
    def _reset(conn):
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            conn.rset()
