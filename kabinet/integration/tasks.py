"""Thin Celery tasks over integration services."""

from celery import shared_task


@shared_task(name="integration.import_apply")
def import_apply_task(batch_id: int) -> str:
    from kabinet.integration import services
    from kabinet.integration.models import ImportBatch

    batch = services.import_apply(batch=ImportBatch.objects.get(pk=batch_id))
    return batch.status


@shared_task(name="integration.import_preview")
def import_preview_task(batch_id: int) -> str:
    from kabinet.integration import services
    from kabinet.integration.models import ImportBatch

    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportBatch.Status.UPLOADED:
        return batch.status  # a repeated delivery: already previewed
    return services.import_preview(batch=batch).status


@shared_task(name="integration.export_build")
def export_build_task(batch_id: int) -> str:
    from kabinet.integration import exports
    from kabinet.integration.models import ExportBatch

    return exports.export_build(batch=ExportBatch.objects.get(pk=batch_id)).status


@shared_task(name="integration.refresh")
def refresh_task(force: bool = False) -> str:
    from kabinet.integration import refresh

    run = refresh.integration_refresh_run(force=force)
    return run.status if run is not None else "skipped"
