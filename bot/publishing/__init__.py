"""Publishing clients (WordPress, Facebook Page, Instagram) and the worker that runs them."""
