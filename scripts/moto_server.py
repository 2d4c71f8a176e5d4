"""Starts the moto server the way `moto_server` does, with one difference that matters to this project.

DynamoDB applies every write, conditional checks included, atomically per item; the project's capacity
reservation (a conditional ADD on one item) relies on that. moto's threaded server has no lock around its
DynamoDB models, so two concurrent conditional writes can both pass their condition. Serialising DynamoDB
requests restores the guarantee the real service gives; everything else (SQS long polls included) stays
concurrent.

Usage: python moto_server.py -H 127.0.0.1 -p PORT
"""
import argparse
import os
import threading

from werkzeug.serving import run_simple
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, SerialDynamoDB(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
