from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig


class StaticFilesConfig(BaseStaticFilesConfig):
    """``collectstatic`` leaves out viewflow's Material frontend, which the service does
    not mount (the portal is the DSFR's): 124 MB and two thirds of the files. Mount
    viewflow's site one day and this pattern goes."""

    ignore_patterns = [*BaseStaticFilesConfig.ignore_patterns, "viewflow"]
