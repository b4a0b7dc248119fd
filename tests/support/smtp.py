"""A real SMTP server for the tests (aiosmtpd), recording what it accepts.

Besides recording, the sink plays the relays of real life (every mode is off by default):

- `handler.latency`: seconds spent on each message before answering its DATA (a TLS relay);
- `server.stop()` then `server.start()`: the relay refuses connections, then is back on the
  same port (`server.refuse_connections = True/False` says the same);
- `handler.connect_reply = "421 …"`: the relay greets every connection with that reply and
  closes it; `handler.hang_at_connect = True`: it accepts the connection and never greets
  (`server.drop_connections()` lets the clients waiting on it go);
- `handler.refuse_with = "451 …"/"550 …"`: every DATA is refused with that reply;
  `handler.refused_recipients[address] = "451 …"/"550 …"`: that recipient is refused at RCPT;
- `handler.drop_on[address] = True`: the connection is closed, without an answer, when the
  DATA of a message for that address arrives; `handler.hang_on[address] = True`: that DATA is
  never answered (the client's timeout ends the conversation);
- `handler.on_message = callable(message)`: called in a thread of its own before the server
  answers each message's DATA (the answer waits for it, at most `on_message_timeout` seconds),
  to make something happen while a sender has that message in flight.
"""

import asyncio
import contextlib
import threading
from collections import Counter
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.support.typography import as_typed


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
        # Seconds before answering each message (the message is recorded after them).
        self.latency = 0.0
        # A reply given instead of the greeting, then the connection is closed ("421 …").
        self.connect_reply = None
        # Accept connections and never greet them.
        self.hang_at_connect = False
        # {address: True}: close the connection, unanswered, when DATA for that address arrives.
        self.drop_on = {}
        # {address: True}: never answer the DATA of a message for that address.
        self.hang_on = {}
        # Called in a thread with each message (parsed) before its DATA is answered.
        self.on_message = None
        self.on_message_timeout = 10.0
        # Messages refused, dropped or left unanswered: {"dropped": n, "hung": n, …}.
        self.incidents = Counter()
        # The live conversations (to close those a hanging mode keeps waiting).
        self.sessions = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(self.drop_on.get(address) for address in envelope.rcpt_tos):
            with self.lock:
                self.incidents["dropped"] += 1
            server.transport.close()
            await _forever()  # cancelled as the connection is lost
        if any(self.hang_on.get(address) for address in envelope.rcpt_tos):
            with self.lock:
                self.incidents["hung"] += 1
            await _forever()  # cancelled when the client gives up and leaves
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.refuse_with:
            return self.refuse_with
        message = message_from_bytes(envelope.content, policy=policy.default)
        if self.on_message is not None:
            # In a thread: the hook may talk to this very server (another sender) meanwhile.
            loop = asyncio.get_running_loop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(loop.run_in_executor(None, self.on_message, message),
                                       self.on_message_timeout)
        with self.lock:
            self.messages.append(message)
            self.senders.append(envelope.mail_from)
        return "250 Message accepted for delivery"


async def _forever():
    await asyncio.Event().wait()


class _SinkSMTP(SMTP):
    """aiosmtpd's server, with the connection-level modes of the handler."""

    async def _handle_client(self):
        handler = self.event_handler
        handler.sessions.add(self)
        try:
            if handler.hang_at_connect:
                await _forever()
            if handler.connect_reply:
                await self.push(handler.connect_reply)
                self.transport.close()
                return
            await super()._handle_client()
        finally:
            handler.sessions.discard(self)
            # A conversation a mode kept open, then cancelled (the server stops): close it while
            # the loop lives, or its stream warns when collected after the loop is closed.
            if self.transport is not None and not self.transport.is_closing():
                self.transport.close()


class _SinkController(Controller):
    def factory(self):
        return _SinkSMTP(self.handler, **self.SMTP_kwargs)


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.handler = RecordingHandler()
        self.controller = None
        self.running = False

    def start(self):
        """Listen (again) on the same port, with the same handler and what it recorded."""
        if not self.running:
            # aiosmtpd closes its event loop on stop: a restart needs a new controller.
            self.controller = _SinkController(self.handler, hostname="127.0.0.1",
                                              port=self.port)
            self.controller.start()
            self.running = True
        return self

    def stop(self):
        """Stop listening: connections are refused until start()."""
        if self.running:
            self.drop_connections()
            self.controller.stop()
            self.running = False

    @property
    def refuse_connections(self) -> bool:
        return not self.running

    @refuse_connections.setter
    def refuse_connections(self, refuse: bool):
        if refuse:
            self.stop()
        else:
            self.start()

    def drop_connections(self):
        """Close every open conversation (clients kept waiting by a hanging mode go free)."""
        if not self.running:
            return
        done = threading.Event()

        def close_all():
            for session in list(self.handler.sessions):
                if session.transport is not None:
                    session.transport.close()
            done.set()

        self.controller.loop.call_soon_threadsafe(close_all)
        done.wait(5)

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]

    def count_by_message_id(self) -> Counter:
        """How many times each Message-ID was accepted: a count above 1 is a double."""
        return Counter(m["Message-ID"] for m in self.messages)

    def envelope_sender(self, message) -> str:
        """The MAIL FROM a recorded message arrived with (its Return-Path)."""
        with self.handler.lock:
            return self.handler.senders[self.handler.messages.index(message)]


def text_of(message) -> str:
    """The text part, as the templates type it (French typography undone: as_typed)."""
    return as_typed(message.get_body(preferencelist=("plain",)).get_content())


def html_of(message) -> str:
    """The HTML part, as the templates type it (French typography undone: as_typed)."""
    return as_typed(message.get_body(preferencelist=("html",)).get_content())
