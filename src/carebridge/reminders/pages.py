"""Placeholder: filled in by the issue 11 work on this domain."""

from fastapi import APIRouter

router = APIRouter()
