from . import bp  # noqa: F401  (the survey-taking issue fills this in)
