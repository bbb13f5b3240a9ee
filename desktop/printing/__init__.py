"""Printed documents: loyalty cards now, paper forms later. No Qt here: the services and the CLI print too."""
