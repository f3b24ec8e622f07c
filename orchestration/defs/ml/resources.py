"""Where the ML assets keep MLflow, Feast and read the warehouse: everything under $UNDERCUT_HOME."""

from dagster import ConfigurableResource

from ml.paths import MlPaths
from transforms.settings import Settings


class MlResource(ConfigurableResource):  # type: ignore[type-arg]
    home: str

    @classmethod
    def from_env(cls) -> "MlResource":
        return cls(home=str(Settings().home))

    @property
    def paths(self) -> MlPaths:
        return MlPaths.from_settings(Settings(home=self.home))  # type: ignore[arg-type]
