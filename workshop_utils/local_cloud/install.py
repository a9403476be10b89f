"""The one place where the local cloud plugs into moto: backend classes swapped in BackendDicts, config set."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from .config import RuntimeSettings
from .lambda_service import services
from .pins import PINNED_MOTO_VERSION, check_extension_points, moto_version

logger = logging.getLogger(__name__)


class ExtensionPointsMoved(RuntimeError):
    """The installed moto is not the one the local cloud was built against."""


def _select_backend(backend_dict: Any, backend_class: type) -> None:
    """Make a BackendDict build `backend_class` (already created regions are rebuilt, empty, from it)."""
    backend_dict.backend = backend_class
    for account_id, account_backends in backend_dict.items():
        account_backends.backend = backend_class
        for region in list(account_backends):
            if type(account_backends[region]) is not backend_class:
                account_backends[region] = backend_class(region, account_id=account_id)


def install(*, endpoint_url: str, home: Path, settings: RuntimeSettings | None = None) -> services.Services:
    """Install the local runtime into moto (call once, before serving requests) and return its services."""
    problems = check_extension_points()
    if problems:
        raise ExtensionPointsMoved(
            "moto's extension points moved, so the local cloud cannot run; reinstall the pinned "
            f"moto=={PINNED_MOTO_VERSION} (make setup). Details: " + "; ".join(problems)
        )
    if moto_version() != PINNED_MOTO_VERSION:
        logger.warning("moto %s is installed; the local cloud is tested with %s", moto_version(), PINNED_MOTO_VERSION)

    from moto.awslambda.models import LambdaBackend, lambda_backends
    from moto.core.config import default_user_config
    from moto.sns.models import SNSBackend, sns_backends
    from moto.sqs.models import sqs_backends

    from . import dispatcher
    from .backends import dynamodb as dynamodb_table
    from .backends import sqs as sqs_backend
    from .backends.sns import LocalSNSBackend
    from .backends.sqs import LocalSQSBackend
    from .lambda_runtime.pool import LambdaRuntime
    from .lambda_service.async_invoke import AsyncInvoker
    from .lambda_service.backend import LocalLambdaBackend
    from .lambda_service.event_sources import SqsPollers

    default_user_config.setdefault("lambda", {})["use_docker"] = True  # keeps get_backend on lambda_backends
    default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True
    assert issubclass(LocalLambdaBackend, LambdaBackend) and issubclass(LocalSNSBackend, SNSBackend)
    _select_backend(lambda_backends, LocalLambdaBackend)
    _select_backend(sns_backends, LocalSNSBackend)
    _select_backend(sqs_backends, LocalSQSBackend)
    dynamodb_table.install()
    sqs_backend.install()
    dispatcher.install()

    settings = settings or RuntimeSettings.from_env()
    code_root = home / "code"
    shutil.rmtree(code_root, ignore_errors=True)  # moto's state is in memory; old code has no function anymore
    runtime = LambdaRuntime(settings, endpoint_url, code_root)
    installed = services.Services(
        runtime=runtime,
        async_invoker=AsyncInvoker(settings, runtime),  # both run their functions on the one runtime
        pollers=SqsPollers(runtime),
        endpoint_url=endpoint_url,
    )
    services.set_current(installed)
    logger.info("local Lambda runtime installed (%s workers per function, retry delay %.2f s)",
                settings.max_workers_per_function, settings.retry_delay_seconds)
    return installed


def uninstall() -> None:
    """Stop workers and pollers and give moto its own backend classes back (tests, embedding)."""
    from moto.awslambda.models import LambdaBackend, lambda_backends
    from moto.sns.models import SNSBackend, sns_backends

    if services.installed():
        services.current().shutdown()
        services.set_current(None)
    _select_backend(lambda_backends, LambdaBackend)
    _select_backend(sns_backends, SNSBackend)
