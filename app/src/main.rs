//! Entry point of the page: mounts the studio.

fn main() {
    leptos::mount::mount_to_body(app::App);
}
