"""The demo shop's WSGI entry point (flask --app wsgi …, gunicorn wsgi:app); the shop itself is demo/."""
from demo import create_app

app = create_app()
