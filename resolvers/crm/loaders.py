from __future__ import annotations

from erp_backends.models import CrmProfile
from erp_backends.ports import CrmBackend
from resolvers.loading import ByKeyLoader


class CrmProfileByLinkLoader(ByKeyLoader[CrmProfile]):
    def __init__(self, crm: CrmBackend) -> None:
        super().__init__(crm.profiles_by_link)
