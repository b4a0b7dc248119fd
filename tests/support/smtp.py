"""A real SMTP server for the tests (aiosmtpd), recording what it accepts."""

import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self):
        self.messages = []
        # The envelope sender (MAIL FROM) of each message, in the same order.
        self.senders = []
        self.lock = threading.Lock()
        # A reply such as "451 Try later" or "550 No such user" makes the server refuse mail.
        self.refuse_with = None
        # Addresses the server refuses at RCPT TO, with the reply given: {address: "550 …"}.
        self.refused_recipients = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.senders.append(envelope.mail_from)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]

    def envelope_sender(self, message) -> str:
        """The MAIL FROM a recorded message arrived with (its Return-Path)."""
        with self.handler.lock:
            return self.handler.senders[self.handler.messages.index(message)]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
