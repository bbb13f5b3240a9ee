"""A reservation's slip and a warranty card's certificate, made for the window that asks.

The dialogs that save a record and the lists that show it later print the same documents,
under the same titles and file names, through the services the command line uses.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.context import ShopContext
from desktop.services import documents
from desktop.services.reservations import ReservationSummary
from desktop.ui.document_output import Document, DocumentOutput
from desktop.ui.messages import translate


def _tr(text: str) -> str:
    return QCoreApplication.translate("RecordDocuments", text)


def reservation_slip(output: DocumentOutput, context: ShopContext, reservation: ReservationSummary) -> Document | None:
    reservation_id = reservation.id
    return output.make(
        context,
        lambda session, out: documents.print_reservation_slip(session, reservation_id, out, translate=translate),
        _tr("Reservation slip %1").replace("%1", reservation.reference_display),
        f"reservation-{reservation.reference}.pdf",
    )


def warranty_certificate(output: DocumentOutput, context: ShopContext, warranty_id: int) -> Document | None:
    return output.make(
        context,
        lambda session, out: documents.print_warranty_certificate(session, warranty_id, out, translate=translate),
        _tr("Warranty certificate #%1").replace("%1", str(warranty_id)),
        f"warranty-{warranty_id}.pdf",
    )
