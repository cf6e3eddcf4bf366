"""Forms of the tablet pages (the survey itself is posted as JSON by the kiosk script)."""

from flask_wtf import FlaskForm


class EnrolForm(FlaskForm):
    """Confirms the enrolment of this device: a GET must not consume the one-time code."""
