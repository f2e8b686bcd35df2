server {
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name example.com;
    ssl_certificate ../certs/example-rsa.crt;
    ssl_certificate_key ../certs/example-rsa.key;
    location / {
        proxy_pass http://127.0.0.1:3000;
        add_header Strict-Transport-Security "max-age=31536000" always;
    }
}
