"""Starts the moto server the way `moto_server` does, with two differences that matter to this project.

DynamoDB applies every write, conditional checks included, atomically per item; the project's capacity
reservation (a conditional ADD on one item) relies on that. moto's threaded server has no lock around its
DynamoDB models, so two concurrent conditional writes can both pass their condition. Serialising DynamoDB
requests restores the guarantee the real service gives, and serialising EC2's (apart) the uniqueness of a launch
template's name; everything else (SQS long polls included) stays concurrent.

SQS SendMessage in moto 5.2 costs time in proportion to the messages already in the queue (see
`count_nothing_while_sending`); the patch below makes it cost the same at any depth, as SQS does. So does a
DynamoDB transaction, in proportion to the items of its tables (see `roll_back_transactions_by_item`).

With --iam (and INITIAL_NO_AUTH_ACTION_COUNT set, as `scripts/emulator.sh start iam` does) the server enforces
IAM for the *IamIT tests, with two additions (see `authorise_transactions_by_their_items` and `DeniedCalls`).

Usage: python moto_server.py -H 127.0.0.1 -p PORT [--iam]
"""
import argparse
import json
import os
import threading

from werkzeug.serving import run_simple
from moto.sqs import models as sqs_models
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app


class SerialDynamoDB:
    """WSGI middleware: one DynamoDB request at a time, as the service's per-item atomicity implies; and one EC2
    request at a time (a lock of its own), because moto's EC2 models are not thread-safe either: two concurrent
    CreateLaunchTemplate calls of one name both succeed in moto, where EC2 refuses the second
    (InvalidLaunchTemplateName.AlreadyExistsException)."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.ec2_lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with self.lock:
                return list(self.app(environ, start_response))
        if "/ec2/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
            with self.ec2_lock:
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


def roll_back_transactions_by_item(dynamodb_models):
    """moto 5.2's TransactWriteItems deep-copies every table a transaction touches before applying it, to roll
    back if an item fails (moto/dynamodb/models/__init__.py, `transact_write_items`): a transaction costs time in
    proportion to the items already in its tables, so a benchmark's transactions slow down as ended machines and
    finished jobs pile up, which DynamoDB's do not (a transaction is per item). Here the items the transaction
    names are saved instead, and put back if it is cancelled; requests are serialised (SerialDynamoDB), so no
    other write can come between."""
    import copy as real_copy
    from moto.dynamodb.models.table import Table

    class TablesByReference:
        """`copy` as transact_write_items sees it: tables are not copied; everything else is, as before."""

        @staticmethod
        def deepcopy(value, memo=None):
            return value if isinstance(value, Table) else real_copy.deepcopy(value, memo)

        def __getattr__(self, name):
            return getattr(real_copy, name)

    dynamodb_models.copy = TablesByReference()
    transact = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        saved = []
        for entry in transact_items:
            kind, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            if kind == "Put":
                key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr is not None and table.range_key_attr in op["Item"]:
                    key[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                key = op.get("Key")
            if not key:
                continue
            try:
                current = self.get_item(op["TableName"], key)
            except Exception:  # noqa: BLE001 the transaction itself reports a bad key
                continue
            saved.append((op["TableName"], key, None if current is None else current.to_json()["Attributes"]))
        try:
            return transact(self, transact_items)
        except Exception:
            for table_name, key, attributes in reversed(saved):
                if attributes is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, attributes)
            raise

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items


# How AWS authorises a transaction: "Permissions for Put, Update, Delete, and Get actions are governed by the
# permissions used for the underlying PutItem, UpdateItem, DeleteItem, and GetItem operations. For the
# ConditionCheck action, you can use the dynamodb:ConditionCheckItem permission" (DynamoDB developer guide,
# "Using IAM with DynamoDB transactions"). There is no dynamodb:TransactWriteItems permission to grant.
TRANSACTION_ITEM_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                            "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


def authorise_transactions_by_their_items(access_control):
    """moto 5.2 authorises every request by its operation's name (moto/iam/access_control.py,
    `IAMRequestBase.check_action_permitted`), so a TransactWriteItems needs a permission AWS does not have.
    Here a transaction is authorised as AWS does it: each action of its items must be allowed."""
    check = access_control.IAMRequestBase.check_action_permitted

    def check_action_permitted(self, resource):
        if self._action not in ("dynamodb:TransactWriteItems", "dynamodb:TransactGetItems"):
            return check(self, resource)
        items = json.loads(self._body or b"{}").get("TransactItems", [])
        actions = sorted({"dynamodb:" + TRANSACTION_ITEM_ACTIONS[kind] for item in items for kind in item})
        for action in actions or [self._action]:
            self._action = action
            check(self, resource)
        return None

    access_control.IAMRequestBase.check_action_permitted = check_action_permitted


class DeniedCalls:
    """WSGI middleware of the IAM-enforcing server: remembers every call IAM refused, as principal and action,
    since the function under test may catch the AccessDenied and carry on (a failed termination is logged,
    not thrown). `GET /_runner-scaler/denied-calls` answers the list (JSON); `POST /moto-api/reset`, which
    clears the emulator's state, clears it too."""

    PATH = "/_runner-scaler/denied-calls"

    def __init__(self, app, access_control):
        self.app = app
        self.lock = threading.Lock()
        self.denied = []
        raise_denied = access_control.IAMRequest._raise_access_denied
        middleware = self

        def record_and_raise(request):
            with middleware.lock:
                middleware.denied.append({"principal": request._access_key.arn, "action": request._action})
            raise_denied(request)

        access_control.IAMRequest._raise_access_denied = record_and_raise

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == self.PATH:
            with self.lock:
                body = json.dumps(self.denied).encode("utf-8")
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
            with self.lock:
                self.denied.clear()
        return self.app(environ, start_response)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--iam", action="store_true", help="enforce IAM (with INITIAL_NO_AUTH_ACTION_COUNT set)")
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    count_nothing_while_sending(sqs_models)
    from moto.dynamodb import models as dynamodb_models
    roll_back_transactions_by_item(dynamodb_models)
    app = SerialDynamoDB(DomainDispatcherApplication(create_backend_app))
    if args.iam:
        from moto import settings
        from moto.iam import access_control
        if settings.INITIAL_NO_AUTH_ACTION_COUNT == float("inf"):
            parser.error("--iam needs INITIAL_NO_AUTH_ACTION_COUNT set (moto enforces IAM only then)")
        authorise_transactions_by_their_items(access_control)
        app = DeniedCalls(app, access_control)
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
