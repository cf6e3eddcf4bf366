"""Commands of this area are added by its issue."""

commands: list = []
