fn main() {
    liaison::start();
}
