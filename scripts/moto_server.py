"""Starts the moto server the way `moto_server` does, with two differences that matter to this project.

DynamoDB applies every write, conditional checks included, atomically per item; the project's capacity
reservation (a conditional ADD on one item) relies on that. moto's threaded server has no lock around its
DynamoDB models, so two concurrent conditional writes can both pass their condition. Serialising DynamoDB
requests restores the guarantee the real service gives; everything else (SQS long polls included) stays
concurrent.

SQS SendMessage in moto 5.2 costs time in proportion to the messages already in the queue (see
`count_nothing_while_sending`); the patch below makes it cost the same at any depth, as SQS does.

Usage: python moto_server.py -H 127.0.0.1 -p PORT
"""
import argparse
import os
import threading

from werkzeug.serving import run_simple
from moto.sqs import models as sqs_models
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app


class SerialDynamoDB:
    """WSGI middleware: one DynamoDB request at a time, as the service's per-item atomicity implies."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with self.lock:
                return list(self.app(environ, start_response))
        return self.app(environ, start_response)


def count_nothing_while_sending(models):
    """moto's SendMessage reads `queue.attributes` up to four times for one value (ContentBasedDeduplication),
    and every read computes the three ApproximateNumberOfMessages* counts by walking every message in the
    queue with two clock conversions each. A send to a queue holding n messages is O(n): from the Java SDK,
    p50 153 ms over a queue's first 1,000 messages against 4.6 ms with this patch (same loaded 2-core
    machine), and seconds per send beyond a few thousand. While a send runs on this thread the counts
    answer 0 (the send never reads them); GetQueueAttributes and everything else count as before.
    """
    sending = threading.local()

    def counts_unless_sending(count):
        return property(lambda queue: 0 if getattr(sending, "active", False) else count(queue))

    for name in ("approximate_number_of_messages", "approximate_number_of_messages_delayed",
                 "approximate_number_of_messages_not_visible"):
        setattr(models.Queue, name, counts_unless_sending(getattr(models.Queue, name).fget))
    send = models.SQSBackend.send_message

    def send_message(self, *args, **kwargs):
        outer = getattr(sending, "active", False)
        sending.active = True
        try:
            return send(self, *args, **kwargs)
        finally:
            sending.active = outer

    models.SQSBackend.send_message = send_message


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    count_nothing_while_sending(sqs_models)
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, SerialDynamoDB(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
